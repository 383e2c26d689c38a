// Canvas 2D renderer: rasterises into an ImageData with raster.ts and puts it on the canvas.
import type { ValueRange } from "./colormap.js";
import { quadsToMesh, vertexValues, visibleTriangles, type Geometry, type ImageGeometry, type MeshGeometry } from "./mesh.js";
import { rasterizeImage, rasterizeMesh } from "./raster.js";
import type { Renderer } from "./renderer.js";
import type { View } from "./view.js";

export class Canvas2DRenderer implements Renderer {
  readonly kind = "canvas2d" as const;
  readonly gpuBytes = 0;
  private readonly ctx: CanvasRenderingContext2D;
  private geometry: MeshGeometry | ImageGeometry | undefined;
  private values: Float32Array | undefined;
  private visible: Uint32Array | undefined;
  private lut: Uint8Array = new Uint8Array(1024);
  private range: ValueRange = { min: 0, max: 1 };

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d");
    if (ctx === null) throw new Error("canvas 2D is not available in this browser");
    this.ctx = ctx;
  }

  setGeometry(geometry: Geometry): void {
    // A quad grid is scan-converted as its triangles.
    this.geometry = geometry.kind === "quads" ? quadsToMesh(geometry) : geometry;
    this.values = undefined;
    this.visible = undefined;
  }

  setField(field: Float32Array): void {
    const g = this.geometry;
    if (g === undefined) throw new Error("setField before setGeometry");
    if (g.kind === "mesh") {
      this.values = vertexValues(g, field);
      this.visible = visibleTriangles(g, this.values);
    } else {
      if (field.length !== g.cells) throw new Error(`field has ${field.length} values, the grid ${g.cells}`);
      this.values = field;
    }
  }

  setStyle(lut: Uint8Array, range: ValueRange): void {
    this.lut = lut;
    this.range = range;
  }

  draw(view: View): void {
    const image = this.ctx.createImageData(view.width, view.height);
    const target = { width: view.width, height: view.height, data: image.data };
    const g = this.geometry;
    if (g !== undefined && this.values !== undefined) {
      if (g.kind === "mesh") rasterizeMesh(g, this.values, this.visible ?? new Uint32Array(0), view, this.lut, this.range, target);
      else rasterizeImage(g, this.values, view, this.lut, this.range, target);
    }
    this.ctx.putImageData(image, 0, 0);
  }

  dispose(): void {
    this.geometry = undefined;
    this.values = undefined;
  }
}
