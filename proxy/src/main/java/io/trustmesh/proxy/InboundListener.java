package io.trustmesh.proxy;

import java.net.InetSocketAddress;

/**
 * One inbound port: terminates mutual TLS (per {@code mode}) and relays to {@code target}.
 *
 * @param name shown in logs, metrics and the access log
 * @param listen where clients connect
 * @param target the local application
 */
public record InboundListener(String name, InetSocketAddress listen, InetSocketAddress target, InboundMode mode,
    AllowPolicy allow) {}
