# Helpers shared by every lockerctl target.

set(LOCKERCTL_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)

# lockerctl_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One static library per area under src/, headers beside sources, included as "area/file.hpp".
function(lockerctl_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(lockerctl_${name} STATIC ${ARG_SOURCES})
  add_library(lockerctl::${name} ALIAS lockerctl_${name})
  target_include_directories(lockerctl_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(lockerctl_${name} PRIVATE ${LOCKERCTL_WARNINGS})
  target_link_libraries(lockerctl_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# lockerctl_use_torch(TARGET)
# Links LibTorch privately and precompiles its umbrella header: only the model, train, eval and
# export targets may include torch, and each pays for the header once.
function(lockerctl_use_torch target)
  target_link_libraries(${target} PRIVATE ${TORCH_LIBRARIES})
  target_compile_options(${target} PRIVATE ${TORCH_CXX_FLAGS})
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
  if(TORCH_CUDA_LIBRARIES)
    target_compile_definitions(${target} PRIVATE LOCKERCTL_TORCH_CUDA)
  endif()
endfunction()

# lockerctl_embed(TARGET ROOT FILE...)
# Compiles the files under ROOT (paths relative to it) into TARGET as byte arrays, regenerated
# when one changes; `NAMESPACE::embedded(path)` (cmake/embed.cmake) finds them.
function(lockerctl_embed target namespace root)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp)
  set(deps "")
  foreach(path IN LISTS ARGN)
    list(APPEND deps ${root}/${path})
  endforeach()
  string(REPLACE ";" "\\;" files "${ARGN}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DROOT=${root} "-DFILES=${files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${target}'s templates and static files")
  target_sources(${target} PRIVATE ${out})
endfunction()
