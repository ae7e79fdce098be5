# Compiles one C++ API program with fluxion-clang++ and runs it.
#   cmake -DCOMPILER=<fluxion-clang++> -DSOURCE=<prog.cpp> -DEXE=<output>
#         -DFLAGS="<space separated>" -P run_api_test.cmake
foreach(var COMPILER SOURCE EXE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_api_test.cmake: ${var} not set")
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
execute_process(COMMAND ${EXE} RESULT_VARIABLE rc
  OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} failed (${rc})")
endif()
