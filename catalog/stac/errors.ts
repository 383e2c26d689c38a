/** Bad input to a catalog builder or query: `field` names what was wrong, for 400 answers and logs. */
export class CatalogInputError extends Error {
  override readonly name = "CatalogInputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function isCatalogInputError(err: unknown): err is CatalogInputError {
  return err instanceof CatalogInputError;
}
