import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ImageFile {
  /** A file on this machine. */
  source: string;
  /** Where it goes in the image, e.g. `/pause`. */
  path: string;
  mode?: number;
}

/**
 * Writes a one-layer OCI image archive (what `ctr images import` reads) holding only the given files: enough
 * for the node's own static programs (pod sandbox, CoreDNS), which need no base image. Reproducible: fixed
 * owners and times, sorted entries.
 */
export function writeOciArchive(options: {
  name: string;
  files: ImageFile[];
  entrypoint: string[];
  user: string;
  workdir: string;
  archive: string;
}): void {
  const rootfs = join(options.workdir, 'rootfs');
  const layout = join(options.workdir, 'oci');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(blobs, { recursive: true });
  for (const file of options.files) {
    const target = join(rootfs, file.path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file.source, target);
    chmodSync(target, file.mode ?? 0o755);
  }
  const layerFile = join(options.workdir, 'layer.tar');
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    rootfs,
    '-cf',
    layerFile,
    '.',
  ]);

  const blob = (data: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    writeFileSync(join(blobs, digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const layer = blob(readFileSync(layerFile));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Entrypoint: options.entrypoint, User: options.user },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    ),
  );
  const tag = options.name.slice(options.name.lastIndexOf(':') + 1);
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'io.containerd.image.name': options.name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  execFileSync('tar', ['-C', layout, '-cf', options.archive, 'oci-layout', 'index.json', 'blobs']);
}
