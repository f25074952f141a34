// kiln-validator: the rules are the API's own proto annotations; nothing is written here.
import { validateCreateImageRequest } from "kiln-validator";

/** Number of violations (0 = valid). */
export function validate(input) {
  const result = validateCreateImageRequest(input);
  return result.kind === "valid" ? 0 : result.kind === "invalid" ? result.violations.length : -1;
}
