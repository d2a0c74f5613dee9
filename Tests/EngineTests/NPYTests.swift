import Foundation
import Testing
@testable import Engine

@Suite struct NPYTests {
    @Test func readsTheSharedFixtures() throws {
        let x = try NPY.read(path: Paths.fixtures + "/resnetish.input.npy")
        #expect(x.shape == [4, 3, 64, 64])
        #expect(x.isFloat)
        let y = try NPY.read(path: Paths.fixtures + "/resnetish.output.npy")
        #expect(y.shape == [4, 10])
    }

    @Test func roundTripsFloatsAndInts() throws {
        let f = Tensor(shape: [2, 2, 3], floats: (0..<12).map { Float($0) * 0.5 - 2 })
        #expect(try NPY.decode(NPY.encode(f)) == f)
        let i = Tensor(shape: [5], int64s: [1, -2, 3, Int64.max, Int64.min])
        #expect(try NPY.decode(NPY.encode(i)) == i)
        let scalar = Tensor(shape: [], floats: [3])
        #expect(try NPY.decode(NPY.encode(scalar)) == scalar)
        // The header is padded to a multiple of 64 bytes, as NumPy does.
        #expect((NPY.encode(f).count - 12 * 4) % 64 == 0)
    }

    @Test func rejectsWhatItCannotRead() {
        #expect(throws: EngineError.self) { try NPY.decode(Array("not numpy".utf8)) }
        func file(_ header: String, payload: Int) -> [UInt8] {
            let h = Array(header.utf8)
            return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.count), 0] + h + [UInt8](repeating: 0, count: payload)
        }
        #expect(throws: Never.self) { try NPY.decode(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", payload: 8)) }
        #expect(throws: EngineError.self) { try NPY.decode(file("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", payload: 16)) }
        #expect(throws: EngineError.self) { try NPY.decode(file("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", payload: 8)) }
        #expect(throws: EngineError.self) { try NPY.decode(file("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", payload: 8)) }
        let truncated = Array(NPY.encode(Tensor(shape: [4], floats: [1, 2, 3, 4])).dropLast(4))
        #expect(throws: EngineError.self) { try NPY.decode(truncated) }
    }
}
