# Compiles one host integration program with the Fluxion wrapper and runs it.
#   cmake -DCOMPILER=<fluxion-clang[++]> -DPLUGIN=<FluxionPlugin.so>
#         -DSOURCE=<prog.c> -DEXE=<output> -DFLAGS="<space separated>"
#         [-DLAUNCHER="<space separated>"] -P run_host_test.cmake
# LAUNCHER runs the program (`mpirun --oversubscribe -np 4`).
# Fails when the wrapper or plugin is missing, when the compile fails (an
# engine error or an invalid module caught by -llvm-verify-each), or when
# the program exits non-zero (a derivative disagreed with its reference).
foreach(var COMPILER PLUGIN SOURCE EXE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_host_test.cmake: ${var} not set")
  endif()
endforeach()
foreach(f ${COMPILER} ${PLUGIN})
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "${f} does not exist: build the project first")
  endif()
endforeach()

separate_arguments(flags UNIX_COMMAND "${FLAGS}")
set(cmd ${COMPILER} ${flags} ${SOURCE} -o ${EXE} -lm)
string(REPLACE ";" " " shown "${cmd}")
message(STATUS "compile: ${shown}")
file(REMOVE ${EXE})
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc
  OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(out)
  message("${out}")
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compile failed (${rc})")
endif()

separate_arguments(launcher UNIX_COMMAND "${LAUNCHER}")
execute_process(COMMAND ${launcher} ${EXE} RESULT_VARIABLE rc
  OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} failed (${rc})")
endif()
