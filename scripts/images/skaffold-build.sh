#!/usr/bin/env bash
# skaffold's custom builder (skaffold.yaml): builds one target of the repository's Dockerfile as $IMAGE with
# buildah (no daemon), or with docker where buildah is not installed, and pushes it when skaffold asks.
#
# Usage: scripts/images/skaffold-build.sh <target>     (skaffold sets IMAGE, PUSH_IMAGE and BUILD_CONTEXT)
# Optional: SP_NODE_IMAGE   a Node base image to build on instead of the Dockerfile's public default
#           SP_BUILD_CA_BUNDLE  a CA bundle for npm and pip behind a TLS-intercepting proxy (a build secret)
#           SP_INSECURE_REGISTRIES  space-separated registry hosts that speak plain HTTP (loopback ones always do)
#           BUILDAH_RUNTIME     buildah's OCI runtime (runc where crun cannot run, e.g. on hybrid cgroups)
set -euo pipefail

target="${1:?usage: skaffold-build.sh <Dockerfile target>}"
: "${IMAGE:?skaffold sets IMAGE, the image name and tag to build}"
context="${BUILD_CONTEXT:-.}"

args=(--target "$target" --tag "$IMAGE" --file "$context/Dockerfile")
[[ -n "${SP_NODE_IMAGE:-}" ]] && args+=(--build-arg "NODE_IMAGE=$SP_NODE_IMAGE")
[[ -n "${SP_BUILD_CA_BUNDLE:-}" ]] && args+=(--secret "id=ca,src=$SP_BUILD_CA_BUNDLE")
# A registry on loopback, or one named in SP_INSECURE_REGISTRIES, is a developer's own and speaks plain HTTP.
registry="${IMAGE%%/*}"
tls=true
[[ "$registry" == localhost:* || "$registry" == 127.* || " ${SP_INSECURE_REGISTRIES:-} " == *" $registry "* ]] && tls=false

if command -v buildah >/dev/null 2>&1; then
  [[ -n "${SP_NODE_IMAGE:-}" ]] && args+=(--pull=never)
  buildah bud --layers "${args[@]}" "$context"
  if [[ "${PUSH_IMAGE:-false}" == true ]]; then
    buildah push --quiet --tls-verify="$tls" --compression-format=zstd --compression-level=1 \
      "$IMAGE" "docker://$IMAGE"
  fi
else
  DOCKER_BUILDKIT=1 docker build "${args[@]}" "$context"
  if [[ "${PUSH_IMAGE:-false}" == true ]]; then docker push "$IMAGE"; fi
fi
