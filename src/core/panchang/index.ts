/** The panchang core: one local day's five limbs, sunrise and muhurtas; see README.md. */
export * from './clock';
export * from './day';
export * from './lagna';
export * from './limbs';
export * from './masa';
export * from './muhurta';
export * from './render';
export * from './rise-set';
export * from './rules';
