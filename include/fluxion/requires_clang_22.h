/* Forced into compiles that use the Fluxion::Plugin CMake target with a
 * compiler other than clang 22, for which the plugin is built. */
#error "Fluxion::Plugin needs clang 22: configure with -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22"
