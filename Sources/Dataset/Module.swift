private import CJPEG
private import CPNG
func _libs() -> (Int, String) { (Int(JPEG_LIB_VERSION), String(cString: PNG_LIBPNG_VER_STRING)) }
