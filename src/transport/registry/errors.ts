/**
 * Registry error responses -> typed errors. The body, when JSON, is the
 * distribution-spec "Error Codes" envelope `{"errors":[{code,message,detail}]}`;
 * its first code and message go into the error so users see what the
 * registry said (e.g. MANIFEST_UNKNOWN, BLOB_UPLOAD_INVALID).
 */
import { DeniedError } from '../../errors/DeniedError.js';
import { DigestMismatchError } from '../../errors/DigestMismatchError.js';
import type { LayerfsError } from '../../errors/LayerfsError.js';
import { NotFoundError } from '../../errors/NotFoundError.js';
import { RegistryError } from '../../errors/RegistryError.js';
import { UnauthorizedError } from '../../errors/UnauthorizedError.js';

function registryMessage(body: string): { code?: string; message?: string } {
  try {
    const j = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    const e = j.errors?.[0];
    if (e) return { code: e.code, message: e.message };
  } catch {
    /* not JSON: a proxy's HTML page, say */
  }
  return {};
}

/** The typed error for an HTTP status (401 UNAUTHORIZED, 403 DENIED, 404 NOT_FOUND, else REGISTRY_ERROR). */
export function errorFor(status: number, body: string, what: string, repository: string | undefined, registry: string): LayerfsError {
  const said = registryMessage(body);
  const where = repository ? `${registry}/${repository}` : registry;
  const detail = said.code ? ` (${said.code}${said.message ? `: ${said.message}` : ''})` : '';
  const data = { registry, repository, status, registryCode: said.code };
  switch (status) {
    case 401:
      return new UnauthorizedError(`cannot ${what}: ${where} needs credentials, or refused the ones given${detail}`, data);
    case 403:
      return new DeniedError(`cannot ${what}: access to ${where} denied${detail}`, data);
    case 404:
      return new NotFoundError(`cannot ${what}: not found in ${where}${detail}`, data);
    case 400:
      // The registry hashed an upload and it did not match its ?digest= (distribution-spec error code DIGEST_INVALID).
      if (said.code === 'DIGEST_INVALID' || said.code === 'SIZE_INVALID') {
        return new DigestMismatchError(`cannot ${what}: ${where} found the bytes do not match the digest${detail}`, data);
      }
      return new RegistryError(`cannot ${what}: ${where} answered HTTP ${status}${detail}`, data);
    default:
      return new RegistryError(`cannot ${what}: ${where} answered HTTP ${status}${detail}`, data);
  }
}

export async function mapErrorResponse(res: Response, what: string, repository: string | undefined, registry: string): Promise<LayerfsError> {
  let body = '';
  try {
    body = res.status === 404 || res.status === 401 || res.status === 403 || res.status >= 400 ? (await res.text()).slice(0, 8192) : '';
  } catch {
    /* keep the status alone */
  }
  return errorFor(res.status, body, what, repository, registry);
}
