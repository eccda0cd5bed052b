// How the benchmark report writes its figures.
export const ms = (x) => `${x.toFixed(3)} ms`;
export const ratio = (x, digits = 2) => `${x.toFixed(digits)}×`;
export const spread = (values, digits = 2, unit = '×') => (values?.length > 1 ? ` [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}${unit}]` : '');
