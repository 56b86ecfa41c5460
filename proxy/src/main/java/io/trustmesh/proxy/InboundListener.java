package io.trustmesh.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One inbound port: terminates mutual TLS (per {@code mode}) and relays to {@code target}.
 *
 * @param name shown in logs, metrics and the access log
 * @param listen where clients connect
 * @param target the local application: {@code InetSocketAddress}, or a {@code UnixDomainSocketAddress}
 *     whose directory must be this user's (checked at start) so that no other local user can reach
 *     the app behind the sidecar's back
 */
public record InboundListener(String name, InetSocketAddress listen, SocketAddress target, InboundMode mode,
    AllowPolicy allow) {}
