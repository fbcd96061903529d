// KEDA's CRDs exactly as KEDA ships them: the config/crd/bases files of the KEDA Go module the installer
// fetched (scripts/install-components.sh keda-config), the same files a KEDA install applies.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, requireComponent } from '@spotify-pipeline/harness';
import { parse } from 'yaml';

export interface Crd {
  metadata: { name: string };
  spec: { group: string; names: { kind: string } };
}

/** Every keda.sh CRD (ScaledObject, ScaledJob, TriggerAuthentication, ClusterTriggerAuthentication). */
export function kedaCrds(): Crd[] {
  const dir = join(requireComponent(componentPaths().kedaConfig, 'keda-config'), 'crd/bases');
  return readdirSync(dir)
    .filter((f) => f.startsWith('keda.sh_') && f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as Crd);
}
