# The libraries the daemon links, found once for the daemon's build and for
# the fuzzers' clang build (tests/fuzz/clang), which compiles the same sources.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf>=1.0)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
pkg_check_modules(LIBMHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
# TLS: libmicrohttpd serves it with GnuTLS; the daemon checks the files and
# client certificates with GnuTLS too.  Basic auth: bcrypt from libxcrypt.
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls)
pkg_check_modules(LIBCRYPT REQUIRED IMPORTED_TARGET libcrypt)
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET libcap)
# `skbtrace top`'s HTTP(S) client: libcurl on GnuTLS (Debian's
# libcurl4-gnutls-dev), the TLS library the daemon already links, so one TLS
# stack reads the PEM files of both.  7.62 has the URL API top parses with.
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl>=7.62)
# Source lines from the kernel's DWARF (daemon/symbols): elfutils' libdw.
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)

set(SKBTRACE_DAEMON_LIBS
	PkgConfig::LIBBPF PkgConfig::LIBELF PkgConfig::LIBMHD PkgConfig::LIBSYSTEMD
	PkgConfig::CJSON PkgConfig::GNUTLS PkgConfig::LIBCRYPT PkgConfig::LIBCAP
	PkgConfig::LIBCURL PkgConfig::LIBDW m)
