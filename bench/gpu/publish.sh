#!/usr/bin/env bash
# Builds the device check (CUDA test classes + GPU benchmarks) as a self-contained linux-x64 app, for a GPU
# machine without .NET, and packs it into .gpu/app.tar.gz (ignored by git; under the device tool's 64 MiB carry limit).
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu/app
dotnet publish bench/Solvers.DeviceCheck -c Release -r linux-x64 --self-contained -o .gpu/app -p:DebugType=none -p:ErrorOnDuplicatePublishOutputFiles=false
tar czf .gpu/app.tar.gz -C .gpu app
rm -rf .gpu/app
ls -l .gpu/app.tar.gz
