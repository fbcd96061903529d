import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, PipelineError } from '@spotify-pipeline/shared';
import {
  listAllObjects,
  type ObjectStoreClient,
  ObjectTooLargeError,
  readObject,
  withDeadline,
} from '@spotify-pipeline/shared/object-store';
import { isExportFile } from '@spotify-pipeline/shared/workloads';

/** One export file to import, wherever it lives. `read` throws ObjectTooLargeError past the size limit. */
export interface ExportInput {
  name: string;
  size: number;
  read(): Promise<Buffer>;
}

/** Files named on the command line, plus every `Streaming_History_Audio_*.json` inside named folders. */
export function localInputs(paths: string[], maxBytes: number): ExportInput[] {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new ConfigError(`HISTORY_IMPORT_PATHS: ${missing.join(', ')} does not exist`);
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter(isExportFile)
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
  return files.map((file) => {
    const size = statSync(file).size;
    return {
      name: file,
      size,
      read: async () => {
        if (size > maxBytes) throw new ObjectTooLargeError(`${file} is larger than ${maxBytes} bytes`);
        return readFileSync(file);
      },
    };
  });
}

/**
 * The export files under a prefix of the lake bucket (where users upload the files of their Spotify export),
 * in name order, and how many other objects the prefix holds (a ReadMe, video history) so that an upload
 * to the wrong place can be told apart from no upload at all.
 */
export async function lakeInputs(params: {
  client: ObjectStoreClient;
  bucket: string;
  prefix: string;
  maxBytes: number;
  timeoutMs: number;
}): Promise<{ inputs: ExportInput[]; otherObjects: number }> {
  const { client, bucket, prefix, maxBytes, timeoutMs } = params;
  const objects = await withDeadline(
    `listing s3://${bucket}/${prefix}`,
    timeoutMs,
    listAllObjects(client, bucket, prefix),
  );
  const exports = objects.filter((o) => isExportFile(o.name)).sort((a, b) => a.name.localeCompare(b.name));
  return {
    otherObjects: objects.length - exports.length,
    inputs: exports.map((o) => ({
      name: o.name,
      size: o.size,
      read: async () => {
        if (o.size > maxBytes) throw new ObjectTooLargeError(`${o.name} is larger than ${maxBytes} bytes`);
        const bytes = await readObject(client, bucket, o.name, { maxBytes, timeoutMs });
        if (!bytes) throw new PipelineError(`${o.name} was deleted while the import ran`);
        return bytes;
      },
    })),
  };
}
