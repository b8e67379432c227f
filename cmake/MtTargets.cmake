# Helpers every folder uses, so that tests, fuzzers and benchmarks are declared
# the same way everywhere.

# mt_add_layer(name SOURCES ... DEPS ...): static library mt_<name>.
function(mt_add_layer name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(mt_${name} STATIC ${A_SOURCES})
  target_link_libraries(mt_${name} PUBLIC ${A_DEPS})
endfunction()

# mt_add_unit_test(name SOURCES ... LIBS ... [TIERS] [LABELS ...] [TIMEOUT s])
# One cmocka executable registered with CTest. TIERS registers it once more per
# forced crypto tier (MTLOAD_CPU=...), so every implementation runs the suite.
set(MT_ALL_TIERS portable aesni avx2 avx512)
function(mt_add_unit_test name)
  cmake_parse_arguments(A "TIERS" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} ${CMOCKA_LIBRARIES})
  target_include_directories(${name} PRIVATE ${CMOCKA_INCLUDE_DIRS})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit;${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "MT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  if(A_TIERS)
    foreach(tier ${MT_ALL_TIERS})
      add_test(NAME ${name}@${tier} COMMAND ${name})
      set_tests_properties(${name}@${tier} PROPERTIES LABELS "unit;tier;${A_LABELS}" TIMEOUT ${A_TIMEOUT}
        ENVIRONMENT "MTLOAD_CPU=${tier};MT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
    endforeach()
  endif()
endfunction()

# mt_add_fuzz(name SOURCES ... LIBS ... [SECONDS n] [CORPUS dir])
# A libFuzzer target plus a CTest entry that fuzzes it for a few seconds.
set(MT_FUZZ_SECONDS 5 CACHE STRING "Seconds each fuzz target runs under CTest")
function(mt_add_fuzz name)
  cmake_parse_arguments(A "" "SECONDS;CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${A_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  if(NOT A_SECONDS)
    set(A_SECONDS ${MT_FUZZ_SECONDS})
  endif()
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}.corpus)
  set(seeds "")
  if(A_CORPUS)
    set(seeds ${A_CORPUS})
  endif()
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND} -E env ${CMAKE_SOURCE_DIR}/harness/fuzz/run-fuzz.sh
            $<TARGET_FILE:${name}> ${work} ${A_SECONDS} ${seeds})
  set_tests_properties(${name} PROPERTIES LABELS "fuzz" TIMEOUT 600
    ENVIRONMENT "MT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# mt_add_bench(name SOURCES ... LIBS ...): a Google Benchmark binary (C++ shim
# over C bodies).
function(mt_add_bench name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} benchmark::benchmark Threads::Threads)
endfunction()
