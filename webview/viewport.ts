import { MAX_FIT_SCALE, MIN_FIT_SCALE } from '../src/graph/zoom';

/** Zoom (wheel, around the pointer), pan (drag on the background) and fit, as one transform. */
export class Viewport {
  private view = { x: 0, y: 0, scale: 1 };
  private content = { width: 1, height: 1 };
  private drag: { x: number; y: number } | undefined;

  constructor(private readonly svg: SVGSVGElement) {
    svg.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        const r = svg.getBoundingClientRect();
        const factor = Math.exp(-ev.deltaY * 0.0015);
        const mx = ev.clientX - r.left;
        const my = ev.clientY - r.top;
        this.set({
          scale: this.view.scale * factor,
          x: mx - (mx - this.view.x) * factor,
          y: my - (my - this.view.y) * factor,
        });
      },
      { passive: false },
    );
    svg.addEventListener('pointerdown', (ev) => {
      if ((ev.target as Element).closest('.node')) return;
      this.drag = { x: ev.clientX - this.view.x, y: ev.clientY - this.view.y };
    });
    window.addEventListener('pointermove', (ev) => {
      if (this.drag) this.set({ ...this.view, x: ev.clientX - this.drag.x, y: ev.clientY - this.drag.y });
    });
    window.addEventListener('pointerup', () => (this.drag = undefined));
  }

  setContent(width: number, height: number): void {
    this.content = { width: Math.max(1, width), height: Math.max(1, height) };
  }

  /**
   * The whole graph in view, centred — but never smaller than labels can be read at: a graph too large
   * for that is shown from its start at the smallest readable zoom, to be scrolled (dragged) through.
   */
  fit(): void {
    const r = this.svg.getBoundingClientRect();
    const whole = Math.min(
      MAX_FIT_SCALE,
      Math.min((r.width - 40) / this.content.width, (r.height - 40) / this.content.height),
    );
    if (whole < MIN_FIT_SCALE) {
      this.set({ scale: MIN_FIT_SCALE, x: 20, y: 20 });
      return;
    }
    this.set({
      scale: whole,
      x: (r.width - this.content.width * whole) / 2,
      y: (r.height - this.content.height * whole) / 2,
    });
  }

  /** Scrolls a node into view when keyboard focus moves outside the visible area. */
  ensureVisible(box: { x: number; y: number; width: number; height: number }): void {
    const r = this.svg.getBoundingClientRect();
    const left = box.x * this.view.scale + this.view.x;
    const top = box.y * this.view.scale + this.view.y;
    const right = left + box.width * this.view.scale;
    const bottom = top + box.height * this.view.scale;
    if (left >= 0 && top >= 0 && right <= r.width && bottom <= r.height) return;
    this.set({
      ...this.view,
      x: r.width / 2 - (box.x + box.width / 2) * this.view.scale,
      y: r.height / 2 - (box.y + box.height / 2) * this.view.scale,
    });
  }

  private set(v: { x: number; y: number; scale: number }): void {
    this.view = v;
    this.svg.getElementById('viewport')?.setAttribute('transform', `translate(${v.x} ${v.y}) scale(${v.scale})`);
  }

  /** Re-applies the transform to a freshly drawn viewport group. */
  reapply(): void {
    this.set(this.view);
  }
}
