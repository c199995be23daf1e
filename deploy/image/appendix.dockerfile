# Appended by repo2docker to the Dockerfile it writes from binder/ (deploy/image/build.sh):
# nbgitpuller serves the hub's git-pull links (docs/DEPLOY.md); Binder does not need it.
RUN python -m pip install --no-cache-dir "nbgitpuller>=1.2,<2"
