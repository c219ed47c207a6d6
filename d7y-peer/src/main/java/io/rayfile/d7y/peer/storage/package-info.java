/**
 * Node storage: content ids, the piece layout, one preallocated file per content with positional piece writes,
 * metadata in Chronicle Map (so a restart resumes from finished pieces), directory manifests, materialization
 * into job directories, pins and eviction.
 */
package io.rayfile.d7y.peer.storage;
