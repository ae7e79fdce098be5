# cmake -DMODE=install|deb -DBUILD=<Fluxion build tree> -DSOURCE=<this dir>
#       -DWORK=<scratch dir> -DCC=clang-22 -DCXX=clang++-22 -P run.cmake
#
# install: `cmake --install` the build tree into WORK/prefix; deb: make the
# Debian package with CPack and unpack it into WORK/root. Then configure the
# consumer project in this directory against that tree with
# find_package(Fluxion), build it and run its tests.
foreach(var MODE BUILD SOURCE WORK CC CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake needs -D${var}=")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status
    OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${status}): ${command}\n${out}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(MODE STREQUAL "install")
  set(prefix ${WORK}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
elseif(MODE STREQUAL "deb")
  run(cpack -G DEB --config ${BUILD}/CPackConfig.cmake -B ${WORK}/cpack)
  file(GLOB debs ${WORK}/cpack/fluxion_*_amd64.deb)
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one fluxion_<version>_amd64.deb, found: ${debs}")
  endif()
  run(dpkg-deb -x ${debs} ${WORK}/root)
  set(prefix ${WORK}/root/usr)
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()

run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/consumer -G Ninja
  -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK}/consumer)
run(${CMAKE_COMMAND} -E chdir ${WORK}/consumer
  ctest --output-on-failure)
message(STATUS "${MODE}: the consumer project built and passed against ${prefix}")
