# cmake -DMODE=install|deb -DBUILD=<Fluxion build tree> -DSOURCE=<this dir>
#       -DWORK=<scratch dir> -DCC=clang-22 -DCXX=clang++-22 -P run.cmake
#
# install: `cmake --install` the build tree into WORK/prefix; deb: make the
# Debian package with CPack and unpack it into WORK/root; apt: make it and
# install it with `apt-get install ./fluxion_<version>_amd64.deb` (as root;
# skipped otherwise), removing it again at the end. Then
# configure the consumer project in this directory against that tree with
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

# The consumer project, configured against \p prefix, built and tested;
# the first failure in \p result (empty when all passed).
function(build_consumer prefix result)
  set(failure "")
  foreach(step configure build test)
    if(step STREQUAL "configure")
      set(command ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/consumer -G Ninja
        -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
    elseif(step STREQUAL "build")
      set(command ${CMAKE_COMMAND} --build ${WORK}/consumer)
    else()
      set(command ${CMAKE_COMMAND} -E chdir ${WORK}/consumer
        ctest --output-on-failure)
    endif()
    execute_process(COMMAND ${command} RESULT_VARIABLE status
      OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT status EQUAL 0)
      set(failure "${step} failed (${status}):\n${out}")
      break()
    endif()
  endforeach()
  set(${result} "${failure}" PARENT_SCOPE)
endfunction()

# The Debian package CPack makes of the build tree.
function(make_deb result)
  run(cpack -G DEB --config ${BUILD}/CPackConfig.cmake -B ${WORK}/cpack)
  file(GLOB debs ${WORK}/cpack/fluxion_*_amd64.deb)
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one fluxion_<version>_amd64.deb, found: ${debs}")
  endif()
  set(${result} ${debs} PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "apt")
  execute_process(COMMAND id -u OUTPUT_VARIABLE uid
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  find_program(APT_GET apt-get)
  execute_process(COMMAND dpkg-query -W "-f=\${Status}" fluxion
    OUTPUT_VARIABLE installed ERROR_QUIET)
  # Only as root, and never over a Fluxion the machine already has.
  if(NOT uid STREQUAL "0" OR NOT APT_GET OR installed MATCHES "ok installed")
    message(STATUS "apt: skipped (needs root, apt-get and no installed fluxion)")
    return()
  endif()
endif()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(MODE STREQUAL "install")
  set(prefix ${WORK}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
  build_consumer(${prefix} failure)
elseif(MODE STREQUAL "deb")
  make_deb(deb)
  run(dpkg-deb -x ${deb} ${WORK}/root)
  set(prefix ${WORK}/root/usr)
  build_consumer(${prefix} failure)
elseif(MODE STREQUAL "apt")
  make_deb(deb)
  run(${CMAKE_COMMAND} -E env DEBIAN_FRONTEND=noninteractive
    ${APT_GET} install -y -qq ${deb})
  set(prefix /usr)
  build_consumer("" failure)
  run(${CMAKE_COMMAND} -E env DEBIAN_FRONTEND=noninteractive
    ${APT_GET} remove -y -qq fluxion)
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()
if(failure)
  message(FATAL_ERROR "the consumer project against ${prefix}: ${failure}")
endif()
message(STATUS "${MODE}: the consumer project built and passed against ${prefix}")
