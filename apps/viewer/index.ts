// Public API of the viewer's server side; the browser code is under src/.
export { buildViewer } from "./app.js";
export type { ViewerOptions } from "./app.js";
export { serveViewer } from "./server.js";
export type { RunningViewer, ViewerServerOptions } from "./server.js";
export { buildViewerBundle, viewerRoot } from "./bundle.js";
export type { ViewerBundle } from "./bundle.js";
