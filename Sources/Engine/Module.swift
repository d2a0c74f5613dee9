private import COpenBLAS
func _blasThreads() -> Int { Int(openblas_get_num_threads()) }
