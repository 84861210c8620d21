# Installs the C ABI library, its header, a CMake package (find_package(calsync) gives
# calsync::calsync), a pkg-config file and the license. The layers' static libraries
# (calsync_core ... calsync_sync) are linked into the shared library and are not part of
# the installed interface.
#
# A release install is stripped: `cmake --install build/release --strip` (the release
# preset keeps debug information in the build tree, which the ABI baseline check reads;
# --strip removes it from what is installed: libcalsync.so.1.0.0 is 69 MB in the build
# tree, 2.5 MB installed).
include(CMakePackageConfigHelpers)

install(TARGETS calsync EXPORT calsyncTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/capi/include/calsync.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The JSON Schemas of the documents calsync.h describes, one file per document.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/capi/schema/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/calsync/schema FILES_MATCHING PATTERN "*.schema.json")
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(EXPORT calsyncTargets
  NAMESPACE calsync::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/calsync)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/calsyncConfig.cmake.in
  ${PROJECT_BINARY_DIR}/calsyncConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/calsync)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/calsyncConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/calsyncConfig.cmake
  ${PROJECT_BINARY_DIR}/calsyncConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/calsync)

# Relative to the .pc file, so an install with --prefix (or DESTDIR) is found where it lands.
file(RELATIVE_PATH CALSYNC_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
  ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/calsync.pc.in ${PROJECT_BINARY_DIR}/calsync.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/calsync.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
