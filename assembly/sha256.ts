// SHA-256 (FIPS 180-4). Placeholder export until the core lands.
export function sha256Version(): i32 { return 1; }
