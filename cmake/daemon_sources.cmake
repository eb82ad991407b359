# The daemon's sources and include path, for the daemon's build and for the
# fuzzers' clang build (tests/fuzz/clang), from SKBTRACE_SRC, the source tree.
# daemon/ROOMS orders the subsystem folders of daemon/ (docs/architecture.md);
# each is on the include path, so an #include names a header without its
# room.  Every source under daemon/ but a main.c is in the core, in a room or not.
file(STRINGS ${SKBTRACE_SRC}/daemon/ROOMS DAEMON_ROOMS REGEX "^[a-z]")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SKBTRACE_SRC}/daemon/ROOMS)
set(DAEMON_INCLUDE_DIRS ${SKBTRACE_SRC}/daemon)
foreach(room ${DAEMON_ROOMS})
	list(APPEND DAEMON_INCLUDE_DIRS ${SKBTRACE_SRC}/daemon/${room})
endforeach()
file(GLOB_RECURSE CORE_SOURCES CONFIGURE_DEPENDS ${SKBTRACE_SRC}/daemon/*.c)
# A file named main.c, in daemon/ or in a room, holds a program's main():
# never part of the core library.
list(FILTER CORE_SOURCES EXCLUDE REGEX "/daemon/(.*/)?main\\.c$")
