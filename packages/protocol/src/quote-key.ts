/** How every mcc error message names a key: JSON-quoted, cut to 60 characters (a 250-byte key would swamp the message). */
export function quoteKey(key: string): string {
  return JSON.stringify(key.length > 60 ? key.slice(0, 60) + '…' : key);
}
