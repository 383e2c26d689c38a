// What the page tells tests and the browser console about itself (window.dmacViewer.state()):
// one type for the page and the test harness that reads it.
import type { ValueRange } from "./colormap.js";
import type { Plan } from "./multiscale.js";

export interface ViewerState {
  dataset?: string;
  variable?: string;
  timeIndex: number;
  levelIndex: number;
  renderer?: string;
  rendererNote: string;
  range: ValueRange;
  /** The range the last drawn picture used. */
  drawnRange: ValueRange;
  /** Of the last field drawn: reading it (and its grid when new), drawing it, and all of it from the request to the picture on screen. */
  timings: { fieldMs: number; geometryMs: number; drawMs: number; loadMs: number };
  renders: number;
  /** The drawn field's overview level (0 = full resolution), its group, window and chunk count. */
  plan?: Plan;
  /** Milliseconds from navigation start to the first field drawn. */
  firstPictureMs?: number;
  /** How many levels the variable has (1 without overviews). */
  levels: number;
  /** Bytes the renderer holds on the GPU (textures and buffers), as uploaded; 0 for canvas 2D. */
  gpuBytes: number;
}
