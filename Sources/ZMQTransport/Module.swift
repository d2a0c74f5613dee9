private import CZeroMQ
func _zmq() -> Int { var a: Int32 = 0, b: Int32 = 0, c: Int32 = 0; zmq_version(&a, &b, &c); return Int(a) }
