#!/usr/bin/env bash
# Packaging check: packs Solvers.Kernels, Solvers.Sketching, Solvers and the Solvers.Cli tool into a local feed,
# then uses them as a stranger would, outside the repository:
#   1. a scratch console project (under $TMPDIR, so the repo's Directory.*.props do not apply) references Solvers,
#      solves a 2D Poisson system with Jacobi-PCG on the Cpu backend and checks ||b - Ax|| / ||b|| < 1e-6;
#   2. `dotnet tool install` installs Solvers.Cli into a tool path and runs `solvers info`, a tiny `solvers solve`
#      and a tiny `solvers tune-sor` that writes a PNG (ScottPlot, so SkiaSharp's native library must load).
# Nothing is left behind: the feed, the scratch project, the tool path and a private NuGet packages folder all live
# in one temporary folder, removed on exit (KEEP_PACK_TEST=1 keeps it). The packages are never extracted into the
# global packages folder, so a second run cannot pick up a stale Solvers 0.1.0; the third-party dependencies come
# from NuGet's HTTP cache that the repo's own restore filled.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

repo=$PWD
start=$SECONDS
step() { echo "== pack-test [$((SECONDS - start))s]: $*"; }
fail() { echo "pack-test: FAILED: $*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/solvers-pack-test.XXXXXX")
cleanup() {
    if [ "${KEEP_PACK_TEST:-0}" = 1 ]; then echo "pack-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
feed=$work/feed
app=$work/app
tools=$work/tools
mkdir -p "$feed" "$app" "$tools"

version=$(dotnet msbuild src/Solvers/Solvers.csproj -getProperty:Version)
[ -n "$version" ] || fail "could not read Version from src/Solvers/Solvers.csproj"
step "version $version, work folder $work"

# ---- 1. Pack the four packages (one MSBuild run through a solution filter). ----
cat > "$work/pack.slnf" <<EOF
{
  "solution": {
    "path": "$repo/Solvers.sln",
    "projects": [
      "src/Kernels/Solvers.Kernels.csproj",
      "src/Sketching/Solvers.Sketching.csproj",
      "src/Solvers/Solvers.csproj",
      "src/Cli/Solvers.Cli.csproj"
    ]
  }
}
EOF
step "dotnet pack -c Release"
dotnet pack "$work/pack.slnf" -c Release -p:PackageOutputPath="$feed"

for id in Solvers.Kernels Solvers.Sketching Solvers Solvers.Cli; do
    for ext in nupkg snupkg; do
        [ -f "$feed/$id.$version.$ext" ] || fail "missing $id.$version.$ext in the feed"
    done
done
ls -l "$feed"

# Contents and metadata of each package (unzip where installed, else Python's zipfile).
if command -v unzip > /dev/null; then
    zip_list() { unzip -Z1 "$1"; }
    zip_cat() { unzip -p "$1" "$2"; }
else
    zip_list() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
    zip_cat() { python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$1" "$2"; }
fi
for id in Solvers.Kernels Solvers.Sketching Solvers Solvers.Cli; do
    pkg=$feed/$id.$version.nupkg
    files=$(zip_list "$pkg")
    symbols=$(zip_list "${pkg%.nupkg}.snupkg")
    nuspec=$(zip_cat "$pkg" "$id.nuspec")
    for f in README.md LICENSE; do
        grep -qx "$f" <<<"$files" || fail "$id: $f is not packed"
    done
    grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: no MIT license expression"
    grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: no readme"
    grep -q '<repository type="git" url="[^"]*" .*commit="[0-9a-f]\{40\}"' <<<"$nuspec" || fail "$id: no repository commit"
    if [ "$id" = Solvers.Cli ]; then
        grep -q '<packageType name="DotnetTool" />' <<<"$nuspec" || fail "$id: not a DotnetTool package"
        grep -qx "tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp.so" <<<"$files" || fail "$id: no linux-x64 SkiaSharp native library"
        grep -qx "tools/net10.0/any/Solvers.pdb" <<<"$symbols" || fail "$id: the symbol package has no Solvers.pdb"
    else
        grep -qx "lib/net10.0/$id.dll" <<<"$files" || fail "$id: lib/net10.0/$id.dll is not packed"
        grep -qx "lib/net10.0/$id.xml" <<<"$files" || fail "$id: XML documentation is not packed"
        grep -qx "lib/net10.0/$id.pdb" <<<"$symbols" || fail "$id: the symbol package has no $id.pdb"
        # SourceLink: the portable PDB carries a JSON map from the source paths to the repository's raw files.
        # (Extracted to a file: `zip_cat | grep -q` would fail under pipefail when grep stops reading early.)
        zip_cat "${pkg%.nupkg}.snupkg" "lib/net10.0/$id.pdb" > "$work/$id.pdb"
        grep -aq '"documents":{"' "$work/$id.pdb" || fail "$id: the PDB has no SourceLink map"
    fi
done
step "packages have README, LICENSE, MIT expression, repository commit, XML docs, symbols and SourceLink"

# ---- 2. A scratch consumer project. ----
# Empty Directory.* files stop MSBuild looking further up for any that may sit above the temporary folder.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$app/$f"; done

# The sources a plain restore uses on this machine (user and machine NuGet.Config), plus the local feed.
# Package source mapping sends Solvers and Solvers.* to the local feed only, whatever the upstream sources serve.
upstream=$(cd "$app" && dotnet nuget list source --format short | awk '$1 == "E" { print $2 }')
[ -n "$upstream" ] || fail "no enabled NuGet source is configured"
{
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<configuration>'
    echo '  <packageSources>'
    echo '    <clear />'
    echo "    <add key=\"solvers-local\" value=\"$feed\" />"
    i=0
    while read -r url; do i=$((i + 1)); echo "    <add key=\"upstream$i\" value=\"$url\" />"; done <<<"$upstream"
    echo '  </packageSources>'
    echo '  <packageSourceMapping>'
    echo '    <packageSource key="solvers-local"><package pattern="Solvers" /><package pattern="Solvers.*" /></packageSource>'
    for j in $(seq 1 "$i"); do echo "    <packageSource key=\"upstream$j\"><package pattern=\"*\" /></packageSource>"; done
    echo '  </packageSourceMapping>'
    echo '</configuration>'
} > "$app/nuget.config"

cat > "$app/PackTest.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Solvers" Version="$version" />
  </ItemGroup>
</Project>
EOF

cat > "$app/Program.cs" <<'EOF'
using Solvers;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Problems;

// 2D Poisson (5-point Laplacian) on a 64 x 64 grid, b = A * ones, Jacobi-PCG on the SIMD CPU backend.
var a = PdeProblems.Poisson2D(64);
var ones = Enumerable.Repeat(1.0, a.Rows).ToArray();
var b = a.Multiply(ones);
using var backend = Backend.Create(BackendKind.Cpu);
using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-8, Preconditioner = Preconditioners.Jacobi }, backend);
var result = cg.Solve(a, b);

// Check the answer independently of the solver's own report: ||b - A x|| / ||b|| from the host matrix.
var ax = a.Multiply(result.Solution);
double rr = 0, bb = 0;
for (int i = 0; i < b.Length; i++) { rr += (b[i] - ax[i]) * (b[i] - ax[i]); bb += b[i] * b[i]; }
double rel = Math.Sqrt(rr / bb);
double err = result.Solution.Max(v => Math.Abs(v - 1.0));
Console.WriteLine($"{a.Rows} unknowns, {backend.Kind}: {result.Status} in {result.Iterations} iterations, ||b-Ax||/||b|| = {rel:E2}, max |x - 1| = {err:E2}");
if (result.Status != SolverStatus.Converged || !(rel < 1e-6))
{
    Console.Error.WriteLine("pack-test consumer: FAILED (not converged or relative residual >= 1e-6)");
    return 1;
}
return 0;
EOF

# A private packages folder: the local packages are extracted there, never into the global one.
export NUGET_PACKAGES=$work/packages
step "restore and build the scratch consumer"
dotnet build "$app/PackTest.csproj" -c Release -v:q -nologo
step "run the scratch consumer"
dotnet "$app/bin/Release/net10.0/PackTest.dll" || fail "the scratch consumer failed"

# ---- 3. The CLI as a .NET tool. ----
step "dotnet tool install Solvers.Cli $version"
(cd "$app" && dotnet tool install Solvers.Cli --version "$version" --tool-path "$tools" --configfile "$app/nuget.config")
solvers=$tools/solvers
[ -x "$solvers" ] || fail "the tool did not install a 'solvers' command"

cd "$work"   # run the tool away from both the repository and the scratch project
step "solvers info"
"$solvers" info || fail "solvers info"
step "solvers solve (tiny Poisson, cpu)"
out=$("$solvers" solve --problem poisson2d:32 --precond jacobi --backend cpu --json) || fail "solvers solve exited $?: $out"
echo "$out"
grep -q '"Converged"' <<<"$out" || fail "solvers solve did not report Converged"
step "solvers tune-sor (tiny, writes a PNG through ScottPlot/SkiaSharp)"
"$solvers" tune-sor --steps 20 --plot "$work/tune-sor.png" --json > "$work/tune-sor.json" || fail "solvers tune-sor exited $?"
[ "$(head -c 8 "$work/tune-sor.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "tune-sor did not write a PNG"
step "tune-sor wrote a $(stat -c %s "$work/tune-sor.png")-byte PNG"

echo "pack-test: OK ($((SECONDS - start))s): 4 packages packed, consumed from a local feed, tool installed and run"
