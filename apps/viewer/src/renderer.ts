// What the UI asks of a renderer. Two implement it: WebGL (render-webgl.ts) and, where WebGL is
// unavailable (no GPU, blocked, headless without SwiftShader), canvas 2D (render-2d.ts), which
// rasterises in JavaScript with the same colour rule.
import type { ValueRange } from "./colormap.js";
import type { Geometry } from "./mesh.js";
import type { View } from "./view.js";

export type RendererKind = "webgl" | "canvas2d";

export interface Renderer {
  readonly kind: RendererKind;
  readonly canvas: HTMLCanvasElement;
  /** Bytes of textures and buffers last uploaded to the GPU (0 for canvas 2D): the memory budget's GPU part. */
  readonly gpuBytes: number;
  /** The grid to draw; throws when this renderer cannot draw it (the UI then falls back to canvas 2D). */
  setGeometry(geometry: Geometry): void;
  /** One value per cell, node or element of the geometry (NaN = nothing drawn). */
  setField(values: Float32Array): void;
  setStyle(lut: Uint8Array, range: ValueRange): void;
  draw(view: View): void;
  dispose(): void;
}
