import { FlightWindow } from './flight-window';

describe('FlightWindow', () => {
  test('shuts once the bytes in flight reach the limit and reopens only when half of it drained', () => {
    const window = new FlightWindow(1000);
    const charges = [window.charge(400), window.charge(400)];
    expect(window.open).toBe(true); // 800 < 1000
    charges.push(window.charge(400));
    expect(window.open).toBe(false); // 1200
    window.settled(charges[0]!);
    expect(window.open).toBe(false); // 800: still shut (hysteresis)
    window.settled(charges[1]!);
    expect(window.open).toBe(true); // 400 <= 500
  });

  test('a request larger than the limit still goes when nothing is in flight', () => {
    const window = new FlightWindow(100);
    expect(window.open).toBe(true);
    const charge = window.charge(5000);
    expect(window.open).toBe(false);
    window.settled(charge);
    expect(window.open).toBe(true);
  });

  test('reset empties the window (the connection dropped) and reopens it', () => {
    const window = new FlightWindow(100);
    window.charge(500);
    expect(window.open).toBe(false);
    window.reset();
    expect(window.open).toBe(true);
    window.settled(500); // a late settle of a charge from before the reset cannot go below zero
    expect(window.charge(99)).toBe(99);
    expect(window.open).toBe(true);
  });
});
