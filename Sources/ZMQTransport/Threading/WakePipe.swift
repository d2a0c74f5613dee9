#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-pipe that wakes an I/O thread blocked in `zmq_poll`: any thread may call ``wake()``; the
/// I/O thread polls ``readDescriptor`` and calls ``drain()``.
final class WakePipe: @unchecked Sendable {
    // @unchecked Sendable: the descriptors are set once in init and closed in deinit; write(2) and
    // read(2) on a pipe are safe from any thread.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw ZMQError.call(operation: "pipe", code: errno, message: String(cString: strerror(errno)))
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Makes the next (or current) poll of ``readDescriptor`` return. A full pipe already wakes the
    /// reader, so a failed write is harmless.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// A poll entry for the read end.
    var pollEntry: PollEntry { PollEntry(socket: nil, fd: readDescriptor, readable: true) }
}
