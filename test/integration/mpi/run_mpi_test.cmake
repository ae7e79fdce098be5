# Compiles one MPI integration program with the Fluxion wrapper and runs it
# on RANKS processes.
#   cmake -DCOMPILER=<fluxion-clang> -DSOURCE=<prog.c> -DEXE=<output>
#         -DFLAGS="<space separated>" -DMPIEXEC=<mpirun> -DRANKS=<n>
#         -P run_mpi_test.cmake
# Fails when the compile fails or when any rank exits non-zero (a
# derivative disagreed with its reference).
foreach(var COMPILER SOURCE EXE MPIEXEC RANKS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_mpi_test.cmake: ${var} not set")
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

# Open MPI refuses to start as root unless told it may (CI containers).
set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)
execute_process(COMMAND ${MPIEXEC} --oversubscribe -np ${RANKS} ${EXE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} on ${RANKS} ranks failed (${rc})")
endif()
