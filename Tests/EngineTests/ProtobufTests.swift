import Foundation
import Testing
@testable import Engine

@Suite struct ProtobufTests {
    @Test(arguments: Paths.fixtureNames)
    func fixtureRoundTripsByteForByte(name: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: Paths.fixture(name)))
        let proto = try ModelProto(bytes: [UInt8](bytes))
        #expect(proto.graph?.node.isEmpty == false)
        #expect(proto.serialized() == [UInt8](bytes))
    }

    @Test func unknownFieldsSurviveReencoding() throws {
        var w = ProtoWriter()
        w.writeInt(1, 8)                     // ir_version
        w.writeString(2, "maker")            // producer_name
        w.writeBytes(14, [0x0a, 0x01, 0x6b]) // metadata_props (not modelled)
        w.writeInt(99, 12345)                // a field from the future
        let proto = try ModelProto(bytes: w.bytes)
        #expect(proto.irVersion == 8)
        #expect(proto.producerName == "maker")
        #expect(proto.unknownFields.fields.map(\.number) == [14, 99])
        #expect(proto.serialized() == w.bytes)
    }

    @Test func attributeDefaultsKeepTheirPresence() throws {
        var a = AttributeProto()
        a.name = "ceil_mode"
        a.i = 0
        a.type = AttributeProto.Kind.int
        var w = ProtoWriter()
        a.encode(to: &w)
        var r = ProtoReader(bytes: w.bytes, range: 0..<w.bytes.count, message: "AttributeProto")
        let back = try AttributeProto(reader: &r)
        #expect(back.i == 0)
        #expect(back == a)
    }

    @Test func packedAndUnpackedRepeatedFieldsBothDecode() throws {
        var unpacked = ProtoWriter()
        for d in [2, 3] { unpacked.writeInt(1, Int64(d)) }
        var packed = ProtoWriter()
        packed.writePackedInt64s(1, [2, 3])
        for bytes in [unpacked.bytes, packed.bytes] {
            var r = ProtoReader(bytes: bytes, range: 0..<bytes.count, message: "TensorProto")
            #expect(try TensorProto(reader: &r).dims == [2, 3])
        }
    }

    @Test func truncatedInputIsATypedError() throws {
        let bytes = try #require(FileManager.default.contents(atPath: Paths.fixture("resnetish")))
        let cut = Array([UInt8](bytes).prefix(1000))
        #expect(throws: EngineError.self) { try ModelProto(bytes: cut) }
        do {
            _ = try ModelProto(bytes: cut)
        } catch let e as EngineError {
            #expect(e.description.contains("malformed"))
        }
    }

    @Test func notAModelFails() {
        let text = Array("this is not an onnx file at all, just text".utf8)
        #expect(throws: EngineError.self) { try Model(bytes: text) }
    }

    @Test func tensorProtoRoundTripsThroughTensor() throws {
        let t = Tensor(shape: [2, 3], floats: [1, -2, 3.5, 0, 1e-8, -7])
        let back = try Tensor(proto: t.proto(name: "w"))
        #expect(back == t)
        var typed = TensorProto()
        typed.dims = [3]
        typed.dataType = TensorProto.DataType.int64
        typed.int64Data = [4, -5, 6]
        #expect(try Tensor(proto: typed) == Tensor(shape: [3], int64s: [4, -5, 6]))
        var wrong = typed
        wrong.dims = [4]
        #expect(throws: EngineError.self) { try Tensor(proto: wrong) }
    }
}
