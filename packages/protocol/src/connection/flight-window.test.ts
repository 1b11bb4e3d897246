import { FlightWindow } from './flight-window';

describe('FlightWindow', () => {
  test('shuts once the bytes in flight reach the limit and reopens only when half of it drained', () => {
    const window = new FlightWindow(1000);
    const charges = [window.charge(400), window.charge(400)];
    expect(window.open).toBe(true); // 800 < 1000
    charges.push(window.charge(400));
    expect(window.open).toBe(false); // 1200
    window.settled(charges[0]!, 24);
    expect(window.open).toBe(false); // 800: still shut (hysteresis)
    window.settled(charges[1]!, 24);
    expect(window.open).toBe(true); // 400 <= 500
  });

  test('charges each request the running average of reply sizes on top of its own bytes', () => {
    const window = new FlightWindow(1_000_000);
    expect(window.charge(40)).toBe(40); // no reply seen yet
    for (let i = 0; i < 60; i++) window.settled(0, 100_000);
    const charge = window.charge(40);
    expect(charge).toBeGreaterThan(99_000);
    expect(charge).toBeLessThanOrEqual(100_040);
    for (let i = 0; i < 60; i++) window.settled(0, 100);
    expect(window.charge(40)).toBeLessThan(200);
  });

  test('a request settled without a reply (quiet) frees its charge and leaves the estimate alone', () => {
    const window = new FlightWindow(100);
    for (let i = 0; i < 60; i++) window.settled(0, 1000);
    const charge = window.charge(10);
    expect(window.open).toBe(false);
    window.settled(charge, null);
    expect(window.open).toBe(true);
    expect(window.charge(10)).toBe(charge);
  });

  test('reset empties the window (the connection dropped) and reopens it', () => {
    const window = new FlightWindow(100);
    window.charge(500);
    expect(window.open).toBe(false);
    window.reset();
    expect(window.open).toBe(true);
  });
});
