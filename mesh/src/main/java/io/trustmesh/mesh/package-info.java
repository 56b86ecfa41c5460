/**
 * A local zero-trust mesh assembled from one mesh file ({@code trustmesh.yaml}): the server, an
 * agent, a sidecar pair per service and the services themselves, with the dashboard, edges, tap
 * and forced rotation on top. The mesh file's model lives in {@code policy} so that render and
 * analyze share it; this module only runs it.
 */
package io.trustmesh.mesh;
