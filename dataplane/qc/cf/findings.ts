// One CF compliance finding. Errors are problems that make the data misread (wrong fill, time axis
// that cannot be decoded, coordinates that do not exist); warnings are metadata that tools cannot
// use (unknown units or standard names); info says what could not be checked.
export type Severity = "error" | "warning" | "info";

export interface CfFinding {
  severity: Severity;
  /** Stable machine-readable code, e.g. "units.unparseable", "fill.type-mismatch". */
  code: string;
  /** The variable concerned; absent for file-level findings. */
  variable?: string;
  attribute?: string;
  message: string;
}
