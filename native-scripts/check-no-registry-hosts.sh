#!/usr/bin/env bash
# Fails when a tracked file names a package registry's host (Maven, npm, Debian/Ubuntu, PyPI, conda, ...).
# The build fetches through each machine's own configured mirrors; the tree never hard-codes one.
# Patterns are written with [.] so that this file does not name the hosts itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pattern='repo1?[.]maven|central[.]sonatype|oss[.]sonatype|maven[.]google|plugins[.]gradle|jitpack[.]io'
pattern+='|registry[.]npmjs|npmjs[.](org|com)|registry[.]yarnpkg'
pattern+='|(deb|security|ftp|archive|snapshot)[.](debian|ubuntu)[.]|ppa[.]launchpad'
pattern+='|pypi[.](org|python)|pythonhosted[.]org|download[.]pytorch|(conda|repo)[.]anaconda|conda-forge[.]org'
pattern+='|crates[.]io|rubygems[.]org|proxy[.]golang|nuget[.]org|dl-cdn[.]alpinelinux|registry-1[.]docker|ghcr[.]io'
if hits=$(git grep -nIiE "$pattern" -- .); then
  echo "check-no-registry-hosts: a tracked file names a package registry's host; remove it (machines use their own mirrors):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-no-registry-hosts: no tracked file names a package registry's host."
