# One place for warning flags. -Werror only where asked (CI), so that a newer
# compiler on a user's machine never breaks their build.
set(MT_C_WARNINGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wformat=2 -Wvla -Wundef -Wno-unused-parameter)
set(MT_CXX_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(MT_WERROR)
  list(APPEND MT_C_WARNINGS -Werror)
  list(APPEND MT_CXX_WARNINGS -Werror)
endif()
add_compile_options(
  "$<$<COMPILE_LANGUAGE:C>:${MT_C_WARNINGS}>"
  "$<$<COMPILE_LANGUAGE:CXX>:${MT_CXX_WARNINGS}>")
