#!/usr/bin/env bash
# Build the students' image for a Zero to JupyterHub deployment with repo2docker, from the
# same binder/ files that Binder uses (binder/environment.yml, then binder/postBuild, which
# installs aelab and builds the student edition), plus nbgitpuller, which the hub's
# git-pull links need and Binder does not:
#
#   pip install jupyter-repo2docker        # needs a running Docker
#   deploy/image/build.sh <registry>/aelab-course [--push]
#
# The image is tagged with the commit it is built from (deploy/z2jh/config.yaml names it).
# --target-repo-dir puts the course outside /home/jovyan: on the hub each student's home is
# a volume mounted over /home/jovyan, which would hide the repository and the editable
# install of aelab that postBuild makes there.
# repo2docker's own base environment already brings jupyterhub-singleuser 5, which a hub
# running chart 4.x (JupyterHub 5) needs in the image.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
    echo "usage: deploy/image/build.sh <registry>/<image-name> [--push]" >&2
    exit 2
fi
image="$1"
shift
if ! git diff --quiet HEAD --; then
    echo "build.sh: the working tree has uncommitted changes; commit them first so that the" \
         "image's tag names what is in it" >&2
    exit 1
fi
tag="$(git rev-parse --short=12 HEAD)"
exec repo2docker --no-run --user-name jovyan --user-id 1000 \
    --target-repo-dir /srv/aelab \
    --appendix "$(cat deploy/image/appendix.dockerfile)" \
    --image-name "${image}:${tag}" "$@" .
