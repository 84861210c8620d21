# The Microsoft Graph provider, added to calsync_providers by the root CMakeLists.txt.
target_sources(calsync_providers PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/graph_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_import.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_provider.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_push.cpp)
