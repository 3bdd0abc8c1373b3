/**
 * An x range that the visitor zooms and pans: two labelled number inputs, zoom buttons, the
 * mouse wheel and dragging on a chart (pointer events, so touch pans too). Calls `render(lo, hi)`.
 */
import { dataX, type Frame } from './svg.js';

export interface Zoom {
  set(lo: number, hi: number): void;
  /** Lets the wheel and drags on this frame's SVG move the range. */
  attach(f: Frame): void;
}

export function zoomControls(
  container: HTMLElement,
  id: string,
  initial: [number, number],
  limits: [number, number],
  render: (lo: number, hi: number) => void,
): Zoom {
  let [lo, hi] = initial;
  const row = document.createElement('div');
  row.className = 'controls';
  const input = (name: string, label: string) => {
    const l = document.createElement('label');
    l.htmlFor = `${id}-${name}`;
    l.textContent = label;
    const i = document.createElement('input');
    i.type = 'number';
    i.id = `${id}-${name}`;
    i.step = 'any';
    row.append(l, i);
    return i;
  };
  const from = input('from', 'x from');
  const to = input('to', 'to');
  const button = (label: string, aria: string, act: () => void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', aria);
    b.addEventListener('click', act);
    row.append(b);
  };
  const zoomAbout = (c: number, factor: number) => set(c - (c - lo) * factor, c + (hi - c) * factor);
  button('+', 'zoom in', () => zoomAbout((lo + hi) / 2, 0.5));
  button('−', 'zoom out', () => zoomAbout((lo + hi) / 2, 2));
  button('Reset', 'reset the range', () => set(...initial));
  container.append(row);

  function set(a: number, b: number): void {
    if (!(Number.isFinite(a) && Number.isFinite(b)) || b - a < 1e-9) return;
    lo = Math.max(limits[0], a);
    hi = Math.min(limits[1], b);
    from.value = String(Number(lo.toPrecision(8)));
    to.value = String(Number(hi.toPrecision(8)));
    render(lo, hi);
  }
  const typed = () => set(Number(from.value), Number(to.value));
  from.addEventListener('change', typed);
  to.addEventListener('change', typed);

  return {
    set,
    attach(f: Frame) {
      f.svg.addEventListener(
        'wheel',
        (e) => {
          e.preventDefault();
          zoomAbout(dataX(f, lo, hi, e.clientX), e.deltaY < 0 ? 0.8 : 1.25);
        },
        { passive: false },
      );
      let dragFrom: number | null = null;
      f.svg.addEventListener('pointerdown', (e) => {
        dragFrom = e.clientX;
        f.svg.setPointerCapture(e.pointerId);
      });
      f.svg.addEventListener('pointermove', (e) => {
        if (dragFrom === null) return;
        const shift = dataX(f, lo, hi, dragFrom) - dataX(f, lo, hi, e.clientX);
        dragFrom = e.clientX;
        if (lo + shift >= limits[0] && hi + shift <= limits[1]) set(lo + shift, hi + shift);
      });
      f.svg.addEventListener('pointerup', () => {
        dragFrom = null;
      });
    },
  };
}
