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
