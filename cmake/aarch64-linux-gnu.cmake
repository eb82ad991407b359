# Cross build for arm64 (aarch64) on a Debian build host with multiarch:
#   packaging/deps.sh --arch arm64
#   cmake -B build-arm64 --toolchain cmake/aarch64-linux-gnu.cmake
#   cmake --build build-arm64 -j
# The daemon and its helpers are compiled by Debian's aarch64-linux-gnu-gcc
# (crossbuild-essential-arm64) against the :arm64 -dev packages, which live
# beside the host's in the multiarch directories, so no sysroot is needed.
# The BPF objects are built for the target by the host's clang and turned
# into skeletons by the host's bpftool: CMAKE_SYSTEM_PROCESSOR, not the
# build host, selects bpf/vmlinux/arm64 and -D__TARGET_ARCH_arm64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's per-triplet pkg-config (pkg-config:arm64) searches the arm64
# multiarch directories and never the host's.
set(PKG_CONFIG_EXECUTABLE aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")

# Programs (clang, bpftool, llvm-strip, scdoc) run on the build host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# With qemu-user (Debian: qemu-user, packaging/deps.sh --test), ctest runs
# the arm64 unit tests on the build host: `ctest --test-dir build-arm64 -L unit`.
find_program(SKBTRACE_QEMU_AARCH64 qemu-aarch64)
if(SKBTRACE_QEMU_AARCH64)
	set(CMAKE_CROSSCOMPILING_EMULATOR ${SKBTRACE_QEMU_AARCH64})
endif()
