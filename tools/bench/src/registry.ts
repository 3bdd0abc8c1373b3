import { ortNodeRow, ortWebRow } from './impl/ort.js';
import { copyFloor, mathTanhLoop, stdlibErfLoop } from './impl/simple.js';
import type { Implementation } from './types.js';

/** Every row the table can hold, in the order it prints. */
export function allImplementations(): Implementation[] {
  return [
    copyFloor,
    ortNodeRow(1),
    ortNodeRow(2),
    ortWebRow,
    mathTanhLoop,
    stdlibErfLoop,
  ];
}
