import Digest
import Testing

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// Pieces that straddle block boundaries give the digest of the whole.
    @Test(arguments: [1, 63, 64, 65, 777, 999])
    func fedInPieces(piece: Int) {
        var hasher = SHA256()
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        for start in stride(from: 0, to: million.count, by: piece) {
            hasher.update(million[start..<min(start + piece, million.count)])
        }
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Length-prefixed fields keep concatenations apart; floats hash as their bytes.
    @Test func fieldsAndFloats() {
        var ab = SHA256(), a_b = SHA256()
        ab.update(field: "ab"); ab.update(field: "")
        a_b.update(field: "a"); a_b.update(field: "b")
        #expect(ab.hexDigest() != a_b.hexDigest())
        var floats = SHA256(), bytes = SHA256()
        floats.update(floats: [1, -2.5])
        bytes.update([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0] as [UInt8])
        #expect(floats.hexDigest() == bytes.hexDigest())
    }
}
