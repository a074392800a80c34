package vend
