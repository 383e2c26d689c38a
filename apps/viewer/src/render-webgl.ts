// WebGL renderer. Meshes: one vertex buffer of lon/lat, one of values (refilled per time step),
// and an index buffer of the triangles whose vertices all have data; the fragment shader maps the
// interpolated value to the colour table (a 256x1 texture) with the same rule as lutIndex().
// Images (regular grids): the field coloured on the CPU into an RGBA texture (alpha 0 where
// missing), drawn with NEAREST sampling on a mesh through the cell edges, so uneven spacing
// (a Mercator latitude axis) is exact too.
import { lutIndex, LUT_SIZE, type ValueRange } from "./colormap.js";
import { vertexValues, visibleTriangles, type Geometry, type ImageGeometry, type QuadGeometry } from "./mesh.js";
import type { Renderer } from "./renderer.js";
import type { View } from "./view.js";

type GL = WebGLRenderingContext | WebGL2RenderingContext;

const MESH_VS = `
attribute vec2 a_pos;
attribute float a_val;
uniform vec2 u_center;
uniform vec2 u_scale;
varying float v_val;
void main() {
  v_val = a_val;
  gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
}`;

const MESH_FS = `
precision highp float;
varying float v_val;
uniform float u_min;
uniform float u_max;
uniform sampler2D u_lut;
void main() {
  float span = u_max - u_min;
  float i = span > 0.0 ? clamp(floor((v_val - u_min) / span * ${LUT_SIZE}.0), 0.0, ${LUT_SIZE - 1}.0) : ${LUT_SIZE >> 1}.0;
  gl_FragColor = texture2D(u_lut, vec2((i + 0.5) / ${LUT_SIZE}.0, 0.5));
}`;

const IMAGE_VS = `
attribute vec2 a_pos;
attribute vec2 a_uv;
uniform vec2 u_center;
uniform vec2 u_scale;
varying vec2 v_uv;
void main() {
  v_uv = a_uv;
  gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
}`;

const IMAGE_FS = `
precision highp float;
varying vec2 v_uv;
uniform sampler2D u_image;
void main() {
  vec4 c = texture2D(u_image, v_uv);
  if (c.a < 0.5) discard;
  gl_FragColor = c;
}`;

function compile(gl: GL, vs: string, fs: string): WebGLProgram {
  const program = gl.createProgram();
  for (const [type, source] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
    const shader = gl.createShader(type);
    if (shader === null) throw new Error("WebGL: cannot create a shader");
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`WebGL shader: ${gl.getShaderInfoLog(shader) ?? "compile failed"}`);
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`WebGL program: ${gl.getProgramInfoLog(program) ?? "link failed"}`);
  return program;
}

/** A WebGL context for the canvas (WebGL 2 unless `webgl1Only`), or undefined where the browser has none. */
export function webglContext(canvas: HTMLCanvasElement, webgl1Only = false): GL | undefined {
  const options: WebGLContextAttributes = { preserveDrawingBuffer: true, antialias: false, premultipliedAlpha: false, failIfMajorPerformanceCaveat: true };
  const gl2 = webgl1Only ? null : canvas.getContext("webgl2", options);
  if (gl2 !== null) return gl2;
  const gl1 = canvas.getContext("webgl", options);
  if (gl1 === null || gl1.getExtension("OES_element_index_uint") === null) return undefined;
  return gl1;
}

export class WebGLRenderer implements Renderer {
  readonly kind = "webgl" as const;
  private readonly mesh: WebGLProgram;
  private readonly image: WebGLProgram;
  private readonly buffers: { pos: WebGLBuffer; val: WebGLBuffer; uv: WebGLBuffer; index: WebGLBuffer };
  private readonly lutTexture: WebGLTexture;
  private readonly imageTexture: WebGLTexture;
  private geometry: Geometry | undefined;
  private field: Float32Array | undefined;
  private count = 0;
  private lut: Uint8Array = new Uint8Array(LUT_SIZE * 4);
  private range: ValueRange = { min: 0, max: 1 };
  private imageDirty = false;
  /** Bytes uploaded per buffer or texture, for gpuBytes. */
  private readonly uploaded = new Map<string, number>();

  get gpuBytes(): number {
    let n = 0;
    for (const b of this.uploaded.values()) n += b;
    return n;
  }

  constructor(readonly canvas: HTMLCanvasElement, private readonly gl: GL) {
    this.mesh = compile(gl, MESH_VS, MESH_FS);
    this.image = compile(gl, IMAGE_VS, IMAGE_FS);
    const buffer = () => {
      const b = gl.createBuffer();
      if (b === null) throw new Error("WebGL: cannot create a buffer");
      return b;
    };
    this.buffers = { pos: buffer(), val: buffer(), uv: buffer(), index: buffer() };
    this.lutTexture = this.texture();
    this.imageTexture = this.texture();
  }

  private texture(): WebGLTexture {
    const gl = this.gl;
    const t = gl.createTexture();
    if (t === null) throw new Error("WebGL: cannot create a texture");
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return t;
  }

  setGeometry(geometry: Geometry): void {
    const gl = this.gl;
    this.field = undefined;
    this.count = 0;
    if (geometry.kind !== "mesh") {
      const max = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
      if (geometry.nx > max || geometry.ny > max) throw new Error(`WebGL: a ${geometry.nx} x ${geometry.ny} grid exceeds the largest texture (${max})`);
      const { pos, uv, index } = geometry.kind === "image" ? edgeMesh(geometry) : quadMesh(geometry);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
      gl.bufferData(gl.ARRAY_BUFFER, pos, gl.STATIC_DRAW);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.uv);
      gl.bufferData(gl.ARRAY_BUFFER, uv, gl.STATIC_DRAW);
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.buffers.index);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, index, gl.STATIC_DRAW);
      this.count = index.length;
      this.uploaded.set("pos", pos.byteLength).set("uv", uv.byteLength).set("index", index.byteLength).set("val", 0);
    } else {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
      gl.bufferData(gl.ARRAY_BUFFER, geometry.xy, gl.STATIC_DRAW);
      this.uploaded.set("pos", geometry.xy.byteLength).set("uv", 0).set("image", 0);
    }
    this.geometry = geometry;
  }

  setField(values: Float32Array): void {
    const g = this.geometry;
    if (g === undefined) throw new Error("setField before setGeometry");
    if (values.length !== g.cells) throw new Error(`field has ${values.length} values, the grid ${g.cells}`);
    this.field = values;
    const gl = this.gl;
    if (g.kind === "mesh") {
      const perVertex = vertexValues(g, values);
      const visible = visibleTriangles(g, perVertex);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.val);
      gl.bufferData(gl.ARRAY_BUFFER, perVertex, gl.DYNAMIC_DRAW);
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.buffers.index);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, visible, gl.DYNAMIC_DRAW);
      this.count = visible.length;
      this.uploaded.set("val", perVertex.byteLength).set("index", visible.byteLength);
    } else this.imageDirty = true;
  }

  setStyle(lut: Uint8Array, range: ValueRange): void {
    this.lut = lut;
    this.range = range;
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.lutTexture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, LUT_SIZE, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, lut);
    this.imageDirty = true;
  }

  private uploadImage(g: ImageGeometry | QuadGeometry, values: Float32Array): void {
    const rgba = new Uint8Array(g.nx * g.ny * 4);
    const drawn = g.kind === "image" ? g.wet : g.drawn;
    // Four bytes copied from the table per cell, no array per cell: a million cells a time step.
    const lut = this.lut;
    for (let c = 0; c < g.cells; c++) {
      if (drawn !== undefined && drawn[c] === 0) continue;
      const i = lutIndex(values[c] ?? NaN, this.range);
      if (i < 0) continue;
      rgba[c * 4] = lut[i * 4] ?? 0;
      rgba[c * 4 + 1] = lut[i * 4 + 1] ?? 0;
      rgba[c * 4 + 2] = lut[i * 4 + 2] ?? 0;
      rgba[c * 4 + 3] = lut[i * 4 + 3] ?? 0;
    }
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.imageTexture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, g.nx, g.ny, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
    this.uploaded.set("image", rgba.byteLength);
    this.imageDirty = false;
  }

  draw(view: View): void {
    const gl = this.gl;
    if (this.canvas.width !== view.width || this.canvas.height !== view.height) {
      this.canvas.width = view.width;
      this.canvas.height = view.height;
    }
    gl.viewport(0, 0, view.width, view.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const g = this.geometry;
    if (g === undefined || this.field === undefined || this.count === 0) return;
    const program = g.kind === "mesh" ? this.mesh : this.image;
    gl.useProgram(program);
    // Degrees to clip space: pixels per degree over half the canvas size.
    gl.uniform2f(gl.getUniformLocation(program, "u_center"), view.lon, view.lat);
    gl.uniform2f(gl.getUniformLocation(program, "u_scale"), (view.scale * view.kx * 2) / view.width, (view.scale * 2) / view.height);
    const attribute = (name: string, buffer: WebGLBuffer, size: number) => {
      const loc = gl.getAttribLocation(program, name);
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 0, 0);
    };
    attribute("a_pos", this.buffers.pos, 2);
    gl.activeTexture(gl.TEXTURE0);
    if (g.kind === "mesh") {
      attribute("a_val", this.buffers.val, 1);
      gl.bindTexture(gl.TEXTURE_2D, this.lutTexture);
      gl.uniform1i(gl.getUniformLocation(program, "u_lut"), 0);
      gl.uniform1f(gl.getUniformLocation(program, "u_min"), this.range.min);
      gl.uniform1f(gl.getUniformLocation(program, "u_max"), this.range.max);
    } else {
      if (this.imageDirty) this.uploadImage(g, this.field);
      attribute("a_uv", this.buffers.uv, 2);
      gl.bindTexture(gl.TEXTURE_2D, this.imageTexture);
      gl.uniform1i(gl.getUniformLocation(program, "u_image"), 0);
    }
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.buffers.index);
    gl.drawElements(gl.TRIANGLES, this.count, gl.UNSIGNED_INT, 0);
  }

  dispose(): void {
    const gl = this.gl;
    for (const b of Object.values(this.buffers)) gl.deleteBuffer(b);
    gl.deleteTexture(this.lutTexture);
    gl.deleteTexture(this.imageTexture);
    gl.deleteProgram(this.mesh);
    gl.deleteProgram(this.image);
  }
}

/** A quad grid's corners as vertices, texture coordinates on texel boundaries, two triangles per drawn cell. */
function quadMesh(g: QuadGeometry): { pos: Float32Array; uv: Float32Array; index: Uint32Array } {
  const cols = g.nx + 1;
  const rows = g.ny + 1;
  const uv = new Float32Array(cols * rows * 2);
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++) {
      uv[(j * cols + i) * 2] = i / g.nx;
      uv[(j * cols + i) * 2 + 1] = j / g.ny;
    }
  let drawn = 0;
  for (let c = 0; c < g.cells; c++) drawn += g.drawn[c] ?? 0;
  const index = new Uint32Array(drawn * 6);
  let t = 0;
  for (let c = 0; c < g.cells; c++) {
    if (g.drawn[c] === 0) continue;
    const j = Math.floor(c / g.nx);
    const a = j * cols + (c - j * g.nx);
    index.set([a, a + 1, a + cols + 1, a, a + cols + 1, a + cols], t);
    t += 6;
  }
  return { pos: g.corners, uv, index };
}

/** Vertices at every cell edge crossing, with texture coordinates on texel boundaries. */
function edgeMesh(g: ImageGeometry): { pos: Float32Array; uv: Float32Array; index: Uint32Array } {
  const cols = g.nx + 1;
  const rows = g.ny + 1;
  const pos = new Float32Array(cols * rows * 2);
  const uv = new Float32Array(cols * rows * 2);
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++) {
      const k = j * cols + i;
      pos[k * 2] = g.lonEdges[i] ?? 0;
      pos[k * 2 + 1] = g.latEdges[j] ?? 0;
      uv[k * 2] = i / g.nx;
      uv[k * 2 + 1] = j / g.ny;
    }
  const index = new Uint32Array(g.nx * g.ny * 6);
  let t = 0;
  for (let j = 0; j < g.ny; j++)
    for (let i = 0; i < g.nx; i++) {
      const a = j * cols + i;
      index.set([a, a + 1, a + cols + 1, a, a + cols + 1, a + cols], t);
      t += 6;
    }
  return { pos, uv, index };
}
