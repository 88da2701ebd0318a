package dev.snapshotter.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets whose close ends a write blocked on them: a TLS socket closes by sending close_notify under the lock that
 * a blocked write holds, and without {@code SO_LINGER} it waits for that lock without end; with it, the close gives up
 * after {@link #LINGER_SECONDS}, shuts the output (which ends the blocked write with an exception) and closes. This is
 * how {@link TransferWatch} cuts an upload over https.
 */
public final class LingeringSocketFactory extends SSLSocketFactory {

    static final int LINGER_SECONDS = 1;

    private final SSLSocketFactory delegate;

    public LingeringSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public Socket createSocket() throws IOException {
        return lingering(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return lingering(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return lingering(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return lingering(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return lingering(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort) throws IOException {
        return lingering(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    private static Socket lingering(Socket socket) throws IOException {
        socket.setSoLinger(true, LINGER_SECONDS);
        return socket;
    }
}
