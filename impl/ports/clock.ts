/**
 * The only way core and sim code learn the time. Adapters read the system clock; the simulator
 * hands out its virtual time. Instants are milliseconds, possibly fractional.
 */
export interface Clock {
  nowMs(): number;
}
